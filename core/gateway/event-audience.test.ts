import { describe, expect, it } from 'vitest';
import { audienceOf } from './event-audience.js';

const event = (fields: Record<string, unknown>) => ({ type: 'x', timestamp: 1, ...fields });

describe('audienceOf', () => {
  it('sends system messages to everyone', () => {
    expect(audienceOf('system:announcements', event({}))).toEqual({ kind: 'everyone' });
  });

  it('sends auth events to the user they are about', () => {
    expect(audienceOf('auth:events:login', event({ user_id: 'u1' }))).toEqual({ kind: 'users', users: ['u1'] });
    expect(audienceOf('auth:events:login', event({}))).toEqual({ kind: 'nobody' });
  });

  it('sends project events to the actor, the share target and the project readers', () => {
    expect(audienceOf('project:events:shared', event({ user_id: 'owner', target_user_id: 'guest', project_id: 'p1' }))).toEqual({
      kind: 'users',
      users: ['owner', 'guest'],
      readersOf: 'p1',
    });
  });

  it('sends simulation events to the user who started it and the project readers', () => {
    expect(audienceOf('simulation:events:started', event({ user_id: 'u1', project_id: 'p1', simulation_id: 's1' }))).toEqual({
      kind: 'users',
      users: ['u1'],
      readersOf: 'p1',
    });
  });

  it('sends user notifications to that user and simulation data to its watchers', () => {
    expect(audienceOf('notifications:user:u7', event({}))).toEqual({ kind: 'inbox', userId: 'u7' });
    expect(audienceOf('simulation:data:s9', event({}))).toEqual({ kind: 'watchers', simulationId: 's9' });
  });

  it('sends nothing for a channel it does not know', () => {
    expect(audienceOf('billing:events:paid', event({ user_id: 'u1' }))).toEqual({ kind: 'nobody' });
    expect(audienceOf('notifications:user:', event({}))).toEqual({ kind: 'nobody' });
  });
});
