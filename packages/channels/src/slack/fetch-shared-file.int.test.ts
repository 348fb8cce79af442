import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../../../../tests/support/fake-bot-api.ts';
import { type FakeSlack, startFakeSlack } from '../../../../tests/support/fake-slack/fake-slack.ts';
import { SlackAdapter } from './slack-adapter.ts';

const BOT_TOKEN = 'xoxb-files-bot-token';
const APP_TOKEN = 'xapp-1-files-app-token';
const PHOTO = Buffer.from('\x89PNG\r\n\x1a\n a shared picture', 'latin1');

const attachment = (id: string) => ({
  kind: 'image' as const,
  platformFileId: id,
  mimeType: 'image/png',
  fileName: 'whiteboard.png',
  width: 640,
  height: 480,
  sizeBytes: PHOTO.length,
});

describe('SlackAdapter.fetchAttachment', () => {
  let fake: FakeSlack;
  let adapter: SlackAdapter;
  beforeEach(async () => {
    fake = await startFakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
    fake.files.set('F0WHITEBRD', { name: 'whiteboard.png', mimeType: 'image/png', data: PHOTO });
  });
  afterEach(async () => {
    await adapter?.stop();
    await fake.close();
  });

  async function start(botToken: string) {
    adapter = new SlackAdapter({
      botToken,
      appToken: APP_TOKEN,
      apiUrl: fake.apiUrl,
      logger: captureLogger().logger,
    });
    await adapter.start(async () => {});
  }

  it('downloads a shared file from its url_private with the bot token', async () => {
    await start(BOT_TOKEN);
    const file = await adapter.fetchAttachment(attachment('F0WHITEBRD'));
    expect(Buffer.from(file.data)).toEqual(PHOTO);
    expect(file.mimeType).toBe('image/png');
    expect(fake.calls.some((c) => c.method === 'files.info' && c.body.file === 'F0WHITEBRD')).toBe(
      true,
    );
  });

  it('refuses Slack’s sign-in page instead of keeping it as the image', async () => {
    await start(BOT_TOKEN);
    fake.files.delete('F0WHITEBRD');
    await expect(adapter.fetchAttachment(attachment('F0WHITEBRD'))).rejects.toThrow(
      /sign-in page: give the app the files:read scope/,
    );
  });
});
