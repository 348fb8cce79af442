import { randomBytes } from 'node:crypto';
import { registerThread } from '@gridbot/db';
import { sql } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic } from './support/fake-anthropic.ts';
import { CHANNELS, messagePayload, snowflake } from './support/fake-discord/discord-payloads.ts';
import { type FakeDiscord, startFakeDiscord } from './support/fake-discord/fake-discord.ts';
import type { FakeLlmServer, FakeScript } from './support/fake-llm-server.ts';
import { startFakeOpenAi } from './support/fake-openai.ts';
import type { GridbotProcess } from './support/gridbot-process.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import type { ChatSpec } from './support/telegram-fake.ts';
import { waitFor } from './support/wait-for.ts';

const DISCORD_TOKEN = 'MTEwMDAwMDAwMDAwMDAwMDA0Mg.fake.discord-token-for-image-tests';
/** Stands in for a photo: the bytes are compared, never decoded. */
const HAT = Buffer.from('\xff\xd8\xff\xe0 a photo of a red hat, not really a JPEG', 'latin1');
const CHART = Buffer.from('\x89PNG\r\n\x1a\n a bar chart of sales by month', 'latin1');
const HAT_SEEN = 'A red felt hat on a wooden table; a tag on it reads SALE 20%.';
const CHART_SEEN = 'A bar chart of monthly sales, highest in March.';

let h: PipelineHarness;
let anthropic: FakeLlmServer;
let openai: FakeLlmServer;
let discord: FakeDiscord;
let worker: GridbotProcess;

const group: ChatSpec = {
  chatId: -100777,
  type: 'group',
  title: 'Shop',
  userId: 31,
  firstName: 'Mia',
};
const other: ChatSpec = {
  chatId: -100778,
  type: 'group',
  title: 'Other',
  userId: 32,
  firstName: 'Noor',
};

/** A model that describes any image it is shown, and otherwise repeats what it was told. */
function seeing(description: string): FakeScript {
  return (body) => {
    const wire = JSON.stringify(body);
    if (wire.includes('"type":"image"') || wire.includes('"image_url"'))
      return { text: description };
    const messages = body.messages as { content: unknown }[];
    return { text: `Told: ${JSON.stringify(messages.at(-1)?.content ?? '')}` };
  };
}

const imageRequests = (server: FakeLlmServer) =>
  server.requests.filter((r) => JSON.stringify(r.body).match(/"type":"image"|"image_url"/));

beforeAll(async () => {
  h = await PipelineHarness.create();
  anthropic = await startFakeAnthropic(seeing(HAT_SEEN));
  openai = await startFakeOpenAi(seeing(CHART_SEEN));
  discord = await startFakeDiscord({ token: DISCORD_TOKEN, heartbeatIntervalMs: 1_000 });
  for (const chat of [group, other])
    await registerThread(h.db.db, { jid: `telegram:${chat.chatId}` });
  await registerThread(h.db.db, { jid: `discord:${CHANNELS.text.id}` });
  h.telegram.files.set('AgAD-hat', { data: HAT, path: 'photos/file_7.jpg' });
  await h.start(['gateway', '--channel', 'telegram']);
  await h.start(['gateway', '--channel', 'discord'], {
    DISCORD_BOT_TOKEN: DISCORD_TOKEN,
    DISCORD_API_BASE: discord.apiBase,
  });
  worker = await h.start(['worker'], {
    LLM_PROVIDER: 'anthropic',
    LLM_MODEL: 'claude-test',
    ANTHROPIC_API_KEY: 'sk-ant-images-test',
    ANTHROPIC_BASE_URL: anthropic.baseURL,
  });
});

afterAll(async () => {
  await h?.close();
  await Promise.allSettled([anthropic?.close(), openai?.close(), discord?.close()]);
});

const replies = (chat: ChatSpec) => h.telegram.botMessages(chat.chatId).map((m) => m.text);
const reply = (chat: ChatSpec, n: number) =>
  waitFor(
    `reply ${n} in ${chat.chatId}`,
    () => replies(chat).length >= n && replies(chat)[n - 1]!,
    30_000,
  );

async function hatArtifact() {
  return h.db.db
    .selectFrom('artifacts')
    .innerJoin('threads', 'threads.id', 'artifacts.thread_id')
    .selectAll('artifacts')
    .where('threads.jid', '=', `telegram:${group.chatId}`)
    .executeTakeFirstOrThrow();
}

describe('images the model sees, through real gateway and worker processes', () => {
  it('shows a Telegram photo to the model once as an image block, keeping only a storage key and the analysis', async () => {
    await h.telegram.say(group, '', {
      text: undefined,
      caption: '@Andy what is in this picture?',
      photo: [
        { file_id: 'AgAD-thumb', width: 90, height: 60, file_size: 1_000 },
        { file_id: 'AgAD-hat', width: 1280, height: 853, file_size: HAT.length },
      ],
    });
    const answer = await reply(group, 1);
    // The largest size was downloaded, and the model got exactly its bytes.
    expect(h.telegram.downloads).toEqual(['AgAD-hat']);
    const [shown] = imageRequests(anthropic);
    const block = (shown!.body.messages as { content: Record<string, unknown>[] }[])[0]!
      .content[0]!;
    expect(block).toMatchObject({
      type: 'image',
      source: { type: 'base64', media_type: 'image/jpeg' },
    });
    expect(Buffer.from(String((block.source as { data: string }).data), 'base64')).toEqual(HAT);

    const artifact = await hatArtifact();
    expect(artifact.storage_key).toMatch(/^\d+\/[0-9a-f]{64}\.jpg$/);
    expect(artifact.analysis).toBe(HAT_SEEN);
    expect(artifact.original_analysis).toBe(HAT_SEEN);
    const row = JSON.stringify(artifact);
    expect(row).not.toContain(HAT.toString('base64'));
    expect(row).not.toContain(HAT.toString('base64').slice(0, 24));
    // The agent answered with what was seen.
    expect(answer).toContain(`[image #${artifact.id}: ${HAT_SEEN}]`);
  });

  it('answers a later question about the image from the stored analysis, without sending it again', async () => {
    const before = anthropic.requests.length;
    await h.telegram.say(group, '@Andy what did the tag on the hat say?');
    await reply(group, 2);
    expect(imageRequests(anthropic)).toHaveLength(1);
    const later = anthropic.requests.slice(before);
    expect(later.length).toBeGreaterThan(0);
    expect(JSON.stringify(later.map((r) => r.body))).toContain('SALE 20%');
  });

  it('lists and searches the chat’s images, and no other chat reaches them', async () => {
    const { id } = await hatArtifact();
    await h.telegram.say(group, '/images list');
    expect(await reply(group, 3)).toContain(`#${id} (`);
    expect(replies(group)[2]).toContain('A red felt hat');
    await h.telegram.say(group, '/images search tag sale');
    expect(await reply(group, 4)).toContain(`#${id} (`);
    await h.telegram.say(group, '/images search zebra');
    expect(await reply(group, 5)).toBe('No image of this chat shows "zebra".');

    await h.telegram.say(other, '/images list');
    expect(await reply(other, 1)).toBe('No image has been sent in this chat yet.');
    await h.telegram.say(other, `/analyze ${id}`);
    expect(await reply(other, 2)).toBe(`There is no image #${id} in this chat (see /images list).`);
    await h.telegram.say(other, '@Andy what is on the hat tag?');
    expect(await reply(other, 3)).not.toContain('SALE');
  });

  it('/analyze has the image looked at again on the next question', async () => {
    const { id } = await hatArtifact();
    await h.telegram.say(group, `/analyze ${id}`);
    expect(await reply(group, 6)).toBe(
      `Image #${id} will be looked at again the next time I am asked here.`,
    );
    await h.telegram.say(group, '@Andy look again please');
    await reply(group, 7);
    expect(imageRequests(anthropic)).toHaveLength(2);
    expect((await hatArtifact()).analysis).toBe(HAT_SEEN);
  });

  it('scales a photo over the model’s 5 MB limit down for the call, keeping the original', async () => {
    // Random pixels do not compress: about 7 MB as a JPEG.
    const [width, height] = [2600, 1900];
    const big = await sharp(randomBytes(width * height * 3), {
      raw: { width, height, channels: 3 },
    })
      .jpeg({ quality: 100 })
      .toBuffer();
    expect(big.length).toBeGreaterThan(5 * 1024 * 1024);
    h.telegram.files.set('AgAD-big', { data: big, path: 'photos/file_8.jpg' });
    await h.telegram.say(group, '', {
      text: undefined,
      caption: '@Andy and this one?',
      photo: [{ file_id: 'AgAD-big', width, height, file_size: big.length }],
    });
    expect(await reply(group, 8)).toContain(HAT_SEEN);
    const shown = imageRequests(anthropic).at(-1)!;
    const block = (shown.body.messages as { content: { source: { data: string } }[] }[])[0]!
      .content[0]!;
    const sent = Buffer.from(block.source.data, 'base64');
    expect(sent.length).toBeLessThanOrEqual(5 * 1024 * 1024);
    const seen = await sharp(sent).metadata();
    expect(seen.format).toBe('jpeg');
    expect(seen.width / seen.height).toBeCloseTo(width / height, 1);
    const stored = await h.db.db
      .selectFrom('artifacts')
      .select(sql<number>`(metadata->>'sizeBytes')::int`.as('size'))
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(stored.size).toBe(big.length);
  });

  it('shows a Discord image attachment to an OpenAI model as an image_url part with its bytes', async () => {
    await worker.stop();
    await h.start(['worker'], {
      LLM_PROVIDER: 'openai',
      LLM_MODEL: 'gpt-test',
      OPENAI_API_KEY: 'sk-openai-images-test',
      OPENAI_BASE_URL: openai.baseURL,
    });
    const attachmentId = snowflake();
    const url = discord.addCdnFile(CHANNELS.text.id, attachmentId, 'chart.png', CHART, 'image/png');
    discord.dispatchMessage(
      messagePayload({
        content: '@Andy explain this chart',
        attachments: [
          {
            id: attachmentId,
            filename: 'chart.png',
            content_type: 'image/png',
            size: CHART.length,
            width: 800,
            height: 600,
            url,
            proxy_url: url,
          },
        ],
      }),
    );
    const [answer] = await waitFor(
      'the Discord reply',
      () => {
        const sent = discord.sent.filter((m) => m.channelId === CHANNELS.text.id);
        return sent.length > 0 && sent;
      },
      30_000,
    );
    expect(discord.cdnDownloads).toHaveLength(1);
    const [shown] = imageRequests(openai);
    const parts = (shown!.body.messages as { content: Record<string, unknown>[] }[])[0]!.content;
    const image = parts.find((p) => p.type === 'image_url') as {
      image_url: { url: string; detail: string };
    };
    expect(image.image_url.detail).toBe('auto');
    expect(image.image_url.url.startsWith('data:image/png;base64,')).toBe(true);
    expect(Buffer.from(image.image_url.url.split(',')[1]!, 'base64')).toEqual(CHART);
    expect(answer!.content).toContain(CHART_SEEN);
  });
});
