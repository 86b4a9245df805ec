import type { Redis } from 'ioredis';

interface Pending {
  readonly channel: string;
  readonly payload: string;
  readonly resolve: (receivers: number) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * PUBLISHes made in the same turn of the event loop go out as one pipeline, flushed in a
 * microtask: a lone event is written at once (no setImmediate, as ioredis' auto-pipelining
 * would wait for), and a burst shares one write. Order is kept. For one server; a cluster's
 * publishes go to the master their channel hashes to, so they are not batched.
 */
export class PublishBatcher {
  private pending: Pending[] = [];

  constructor(readonly client: Redis) {}

  publish(channel: string, payload: string): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.pending.push({ channel, payload, resolve, reject });
      if (this.pending.length === 1) queueMicrotask(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 1) {
      const [only] = batch as [Pending];
      this.client.publish(only.channel, only.payload).then(only.resolve, only.reject);
      return;
    }
    const pipeline = this.client.pipeline();
    for (const { channel, payload } of batch) pipeline.publish(channel, payload);
    pipeline.exec().then(
      (results) =>
        batch.forEach((entry, index) => {
          const [error, receivers] = results?.[index] ?? [new Error('no reply to PUBLISH'), 0];
          if (error) entry.reject(error);
          else entry.resolve(receivers as number);
        }),
      (error: unknown) => batch.forEach((entry) => entry.reject(error)),
    );
  }
}
