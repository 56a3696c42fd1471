import { dataBuffer, END_OF_PARTITION, eventBuffer, type ChannelReader, type StreamBuffer } from './buffers.ts';
import { NetworkEnvironment } from './network-environment.ts';
import type { RecordType } from './typed-rows.ts';

/** Turns the event loop until `cond` holds; gives up after a few thousand turns. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; !cond(); i++) {
    if (i > 3000) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 1));
  }
}

function drain(input: ChannelReader, got: StreamBuffer[]): Error | undefined {
  try {
    for (let b = input.poll(); b; b = input.poll()) got.push(b);
  } catch (err) {
    return err as Error;
  }
  return undefined;
}

const BIGINT_STRING: RecordType = { changelogRow: ['i64', 'string'] };

describe('a channel with a declared row type between two slots', () => {
  test('rows arrive exactly, typed both ways round (declared before or after the OPEN arrives)', async () => {
    const sender = new NetworkEnvironment();
    const receiver = new NetworkEnvironment();
    try {
      const address = await receiver.start('127.0.0.1');
      await sender.start('127.0.0.1');
      const rows = [{ kind: '+I', values: [2n ** 62n, 'ü'] }, { kind: '-D', values: [7, null] }];
      const early = receiver.inputChannel('j/0/1/0/0', BIGINT_STRING);
      const out1 = sender.outputChannel(address, 'j/0/1/0/0', BIGINT_STRING);
      const out2 = sender.outputChannel(address, 'j/0/1/0/1', BIGINT_STRING);
      for (const o of [out1, out2]) {
        o.write(dataBuffer(rows, [1, 2]));
        o.write(eventBuffer(END_OF_PARTITION));
      }
      await until(() => sender.stats().writes > 0);
      const late = receiver.inputChannel('j/0/1/0/1', BIGINT_STRING);
      for (const input of [early, late]) {
        const got: StreamBuffer[] = [];
        await until(() => (drain(input, got), got.length >= 2));
        expect(got[0]!.values).toStrictEqual(rows);
        expect(got[1]!.kind).toBe(END_OF_PARTITION);
      }
    } finally {
      await sender.close();
      await receiver.close();
    }
  });

  test('ends that declare different row types: the connection is closed with MR_ERR_FRAME_INVALID and the channel fails', async () => {
    for (const declaredFirst of [true, false]) {
      const refused: Array<{ code: string; reason: string }> = [];
      const sender = new NetworkEnvironment();
      const receiver = new NetworkEnvironment({ onRefused: (_peer, code, reason) => refused.push({ code, reason }) });
      try {
        const address = await receiver.start('127.0.0.1');
        await sender.start('127.0.0.1');
        const key = 'j/0/2/0/0';
        let input = declaredFirst ? receiver.inputChannel(key, { changelogRow: ['i32'] }) : undefined;
        const output = sender.outputChannel(address, key, BIGINT_STRING);
        output.write(eventBuffer(END_OF_PARTITION));
        await until(() => sender.stats().writes > 0);
        // declared after the sender wrote its OPEN (usually after it arrived and waits for its task)
        if (!declaredFirst) input = receiver.inputChannel(key, { changelogRow: ['i32'] });
        await until(() => refused.length > 0);
        expect(refused[0]).toMatchObject({ code: 'MR_ERR_FRAME_INVALID', reason: expect.stringContaining(`channel ${key} was opened with record type`) });
        let failure: Error | undefined;
        await until(() => (failure = drain(input!, [])) !== undefined);
        expect(failure!.message).toMatch(/record type|connection closed/);
      } finally {
        await sender.close();
        await receiver.close();
      }
    }
  });
});
