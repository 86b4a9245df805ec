import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { CallAdmission } from './call-admission.js';

/** Admission with room for `capacity` calls and `maxPending` waiting ones; records what happened to each call. */
const setup = (capacity: number, maxPending: number) => {
  let room = capacity;
  const admission = new CallAdmission('auth/a', maxPending, () => room);
  const log: string[] = [];
  const enter = (name: string, deadline = Infinity) =>
    admission.enter(
      deadline,
      () => log.push(`${name} sent`),
      (code) => log.push(`${name} refused ${status[code]}`),
    );
  return { admission, log, enter, grow: (by: number) => (room += by) };
};

describe('CallAdmission', () => {
  it('sends calls at once while under capacity', () => {
    const { admission, log, enter } = setup(2, 1);

    enter('a');
    enter('b');

    expect(log).toEqual(['a sent', 'b sent']);
    expect(admission.inFlight).toBe(2);
  });

  it('queues beyond capacity, refuses beyond the queue, and sends the oldest waiting call when one ends', () => {
    const { admission, log, enter } = setup(1, 1);
    enter('a');
    enter('b');
    enter('c');
    expect(log).toEqual(['a sent', 'c refused RESOURCE_EXHAUSTED']);
    expect(admission).toMatchObject({ waiting: 1, rejected: 1 });

    admission.exit();

    expect(log).toEqual(['a sent', 'c refused RESOURCE_EXHAUSTED', 'b sent']);
    expect(admission).toMatchObject({ inFlight: 1, waiting: 0 });
  });

  it('sends waiting calls when capacity grows', () => {
    const { admission, log, enter, grow } = setup(1, 5);
    enter('a');
    enter('b');

    grow(1);
    admission.pump();

    expect(log).toEqual(['a sent', 'b sent']);
  });

  it('lets a waiting call withdraw, and says whether it was still waiting', () => {
    const { admission, log, enter } = setup(1, 5);
    enter('a');
    const withdraw = enter('b');

    expect(withdraw()).toBe(true);
    expect(withdraw()).toBe(false);
    admission.exit();
    expect(log).toEqual(['a sent']);
  });

  it('refuses a waiting call when its deadline passes', async () => {
    const { log, enter } = setup(1, 5);
    enter('a');

    enter('b', Date.now() + 20);
    await new Promise((resolve) => setTimeout(resolve, 60));

    expect(log).toEqual(['a sent', 'b refused DEADLINE_EXCEEDED']);
  });

  it('refuses every waiting call on demand', () => {
    const { admission, log, enter } = setup(0, 5);
    enter('a');
    enter('b');

    admission.refuseWaiting(status.UNAVAILABLE, 'instance gone');

    expect(log).toEqual(['a refused UNAVAILABLE', 'b refused UNAVAILABLE']);
  });
});
