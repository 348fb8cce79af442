import { listThreadImages, setImageAnalysis, type ThreadImage, threadImage } from '@gridbot/db';
import type { ChatCommand, CommandContext } from './chat-command.ts';

const USAGE =
  "Usage: /images list (this chat's images) or /images search <words> (in what was seen in them).";
/** Characters of an analysis shown per image. */
const LINE = 120;

function line(image: ThreadImage): string {
  const seen = image.analysis?.replace(/\s+/g, ' ').trim();
  const what = seen
    ? seen.length > LINE
      ? `${seen.slice(0, LINE - 1)}…`
      : seen
    : image.storageKey === null
      ? 'not downloaded'
      : 'not looked at yet';
  return `#${image.id} (${image.createdAt.toISOString().slice(0, 10)}): ${what}`;
}

/**
 * `/images list` lists this chat's images, newest first, each with a line of what the model
 * saw in it; `/images search <words>` finds those whose description has every word. Only
 * this chat's images: another chat's never show, whatever their number.
 */
export const imagesCommand: ChatCommand = {
  name: 'images',
  usage: '/images list | /images search <words>',
  summary: "lists this chat's images with what was seen in them, or searches them",
  pattern: /^\/images(@\w+)?(?:\s+([\s\S]*))?$/i,
  async run({ db, thread, reply, match }: CommandContext) {
    const [, sub = '', rest = ''] = /^(\S*)\s*([\s\S]*)$/.exec(match[2]?.trim() ?? '')!;
    if (sub.toLowerCase() === 'list' || sub === '') {
      const images = await listThreadImages(db, thread.id);
      if (images.length === 0) return reply('No image has been sent in this chat yet.');
      return reply([`Images of this chat (newest first):`, ...images.map(line)].join('\n'));
    }
    if (sub.toLowerCase() !== 'search') return reply(USAGE);
    const words = rest.split(/\s+/).filter(Boolean).slice(0, 8);
    if (words.length === 0)
      return reply('Usage: /images search <words>, e.g. /images search red hat');
    const images = await listThreadImages(db, thread.id, { words, limit: 10 });
    if (images.length === 0) return reply(`No image of this chat shows "${words.join(' ')}".`);
    return reply([`Images showing "${words.join(' ')}":`, ...images.map(line)].join('\n'));
  },
};

/** `/analyze <n>`: image #n of this chat is looked at afresh when the assistant is next asked here. */
export const analyzeCommand: ChatCommand = {
  name: 'analyze',
  usage: '/analyze <image number>',
  summary: 'has an image of this chat looked at again',
  pattern: /^\/analyze(@\w+)?(?:\s+([\s\S]*))?$/i,
  async run({ db, thread, reply, match }: CommandContext) {
    const argument = match[2]?.trim().replace(/^#/, '') ?? '';
    if (!/^\d{1,15}$/.test(argument))
      return reply('Usage: /analyze <image number>, e.g. /analyze 12 (see /images list).');
    const image = await threadImage(db, thread.id, Number(argument));
    if (!image) return reply(`There is no image #${argument} in this chat (see /images list).`);
    if (image.storageKey === null)
      return reply(`Image #${image.id} was not downloaded, so it cannot be looked at.`);
    await setImageAnalysis(db, image.id, null);
    return reply(`Image #${image.id} will be looked at again the next time I am asked here.`);
  },
};
