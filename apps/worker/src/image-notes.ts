import {
  type Database,
  imagesOfMessages,
  type Message,
  recordTokens,
  setImageAnalysis,
  type ThreadImage,
} from '@gridbot/db';
import {
  fitImage,
  ImageFitError,
  type LlmImage,
  type LlmProvider,
  LlmUnavailableError,
  VISION_MIME_TYPES,
} from '@gridbot/llm';
import type { ArtifactStore } from '@gridbot/service';
import type { Kysely } from 'kysely';
import type { RunState } from './run-state.ts';

/** Images shown to the model per run; the rest wait for the next one. */
const MAX_NEW_IMAGES_PER_RUN = 4;
/** Longest analysis kept (characters). */
const MAX_ANALYSIS = 8_000;

const PROMPT = (text: string) =>
  [
    'Describe this image in full for someone who cannot see it: what it shows, every text in it word for word, people, objects, numbers, colours and layout.',
    'Be exact and complete; this description is all that will be remembered of the image.',
    text.trim() ? `It was sent with this message: ${text.trim().slice(0, 1_000)}` : '',
  ]
    .filter(Boolean)
    .join('\n');

export interface ImageNoteDeps {
  db: Kysely<Database>;
  llm: LlmProvider;
  /** Where the gateway put the images; null: none can be seen. */
  artifactStore?: ArtifactStore | null;
}

/**
 * What the agent is told of the images in the run's messages, by message id. An image the
 * model has not seen yet (bytes in storage, no analysis) is shown to it once, as image
 * content built at call time from storage, with the chat's `image_detail`; its description
 * is stored in full (`artifacts.analysis`) and every later run reuses it instead of the
 * image. An image over the provider's size limits is scaled down for the call (the stored
 * bytes stay as they came). A provider without vision, a type it does not read, bytes
 * that are no image or a failed call leave a note saying so; the run goes on.
 */
export async function imageNotes(
  deps: ImageNoteDeps,
  state: Pick<RunState, 'thread' | 'config' | 'abort' | 'log' | 'tokens'> & { runId: number },
  messages: readonly Message[],
): Promise<Map<number, string[]>> {
  // Ingress writes a reference (`[image #12 …]`) into every message with an image: without
  // one, the run needs no lookup.
  const withImages = messages.filter((m) => m.content.includes('[image #'));
  if (withImages.length === 0) return new Map();
  const images = await imagesOfMessages(
    deps.db,
    state.thread.id,
    withImages.map((m) => m.id),
  );
  const notes = new Map<number, string[]>();
  let shown = 0;
  for (const image of images) {
    let note: string;
    if (image.analysis !== null) note = image.analysis;
    else if (shown >= MAX_NEW_IMAGES_PER_RUN)
      note = 'not looked at yet (too many new images at once)';
    else {
      shown += 1;
      const text = messages.find((m) => m.id === image.messageId)?.content ?? '';
      note = await look(deps, state, image, text);
    }
    if (image.messageId === null) continue;
    const list = notes.get(image.messageId) ?? [];
    list.push(`[image #${image.id}: ${note}]`);
    notes.set(image.messageId, list);
  }
  return notes;
}

async function look(
  deps: ImageNoteDeps,
  state: Parameters<typeof imageNotes>[1],
  image: ThreadImage,
  text: string,
): Promise<string> {
  const { llm } = deps;
  if (!llm.describeImage || llm.maxImageBytes === undefined) {
    return `not seen: the model (${llm.name}) cannot look at images`;
  }
  if (!deps.artifactStore || image.storageKey === null) return 'not seen: it was not downloaded';
  if (!image.mimeType || !VISION_MIME_TYPES.has(image.mimeType)) {
    return `not seen: the model does not read ${image.mimeType ?? 'this type'}`;
  }
  let data: Uint8Array;
  try {
    data = await deps.artifactStore.get(image.storageKey);
  } catch (error) {
    state.log.warn(
      { err: error, artifactId: image.id },
      'an image is missing from artifact storage',
    );
    return 'not seen: it is missing from storage';
  }
  const { config } = state;
  let shown: LlmImage;
  try {
    const fitted = await fitImage(
      { data, mimeType: image.mimeType, width: image.width, height: image.height },
      { maxBytes: llm.maxImageBytes, maxEdge: llm.maxImageEdge },
    );
    if (fitted.resized) {
      state.log.debug(
        { artifactId: image.id, bytes: data.length, shownBytes: fitted.data.length },
        'an image was scaled down for the model',
      );
    }
    shown = { data: fitted.data, mimeType: fitted.mimeType, detail: config.image_detail };
  } catch (error) {
    if (!(error instanceof ImageFitError)) throw error;
    state.log.warn({ err: error, artifactId: image.id }, 'an image could not be made to fit');
    return `not seen: ${error.message}`;
  }
  try {
    const result = await llm.describeImage(shown, PROMPT(text), {
      model: config.model,
      temperature: config.temperature,
      topP: config.top_p,
      maxTokens: config.max_tokens,
      signal: state.abort.signal,
    });
    state.tokens.input += result.usage.inputTokens;
    state.tokens.output += result.usage.outputTokens;
    await recordTokens(deps.db, {
      threadId: state.thread.id,
      runId: state.runId,
      provider: llm.name,
      model: result.model,
      inputTokens: result.usage.inputTokens,
      outputTokens: result.usage.outputTokens,
    });
    const analysis =
      result.content.trim().slice(0, MAX_ANALYSIS) || '(the model said nothing about it)';
    await setImageAnalysis(deps.db, image.id, analysis);
    return analysis;
  } catch (error) {
    if (!(error instanceof LlmUnavailableError)) throw error;
    state.log.warn({ err: error, artifactId: image.id }, 'the model could not look at an image');
    return 'not seen: the model could not be reached to look at it';
  }
}
