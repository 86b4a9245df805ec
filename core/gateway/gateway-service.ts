import { DomainFailureError, type DomainFailure } from '../shared/errors.js';
import { err, ok, type Result } from '../shared/result.js';
import type { ClientRegistry } from './client-registry.js';
import { connectedClients, type ConnectedClientsPage, type ConnectedClientsQuery } from './connected-clients.js';
import type { DeliveryReport } from './delivery.js';
import { clientNotFound, missingField } from './errors.js';
import {
  checkBroadcast,
  checkRegistration,
  checkRoute,
  isBroadcastTarget,
  isRouteTarget,
  type BroadcastMessageInput,
  type RegisterClientInput,
  type RouteMessageInput,
  type UnregisterClientInput,
} from './gateway-inputs.js';
import { broadcastLocally, routeLocally, unregisterLocally } from './local-delivery.js';
import type { ConnectedClient } from './model.js';
import type { ClientDirectory, GatewayPeers, PeerDelivery } from './ports.js';

/** `mesh`: every gateway instance holding a target (the default); `instance`: this one only (a call another instance forwarded). */
export type DeliveryScope = 'mesh' | 'instance';

/** How many clients took a message, summed over the gateway instances asked. */
export interface MeshDelivery extends DeliveryReport {
  /** Instances that answered, this one included. */
  readonly instanceCount: number;
  /** Instances the directory says hold a target but that could not be asked (their clients are not counted). */
  readonly unreachable: readonly string[];
}

/** The gRPC GatewayService's use cases, over the clients of every gateway instance (docs/adr/0052). */
export interface GatewayService {
  /** Records a session another service holds for a client on this instance; registering again for the same owner is harmless. */
  registerClient(input: RegisterClientInput): Result<ConnectedClient, DomainFailure>;
  /** Ends a client on whichever instance holds it (closing its socket). */
  unregisterClient(input: UnregisterClientInput, scope?: DeliveryScope): Promise<Result<void, DomainFailure>>;
  /**
   * Delivers to the target's clients on every instance holding one: a user's `/events` sockets
   * (every socket of theirs with `disconnect`, which then closes them), or one client by id.
   */
  routeMessage(input: RouteMessageInput, scope?: DeliveryScope): Promise<Result<MeshDelivery, DomainFailure>>;
  /** Delivers to every client (or every subscriber of `channel`) on every instance. */
  broadcastMessage(input: BroadcastMessageInput, scope?: DeliveryScope): Promise<Result<MeshDelivery, DomainFailure>>;
  /** One page of the clients of every instance. */
  connectedClients(query: ConnectedClientsQuery): Promise<Result<ConnectedClientsPage, DomainFailure>>;
  /** One client, on whichever instance holds it. */
  clientInfo(clientId: string): Promise<Result<ConnectedClient, DomainFailure>>;
}

export interface GatewayServiceDeps {
  /** This instance's clients: what it delivers to itself, and the truth about them (the directory may lag a write behind). */
  readonly registry: ClientRegistry;
  readonly directory: ClientDirectory;
  readonly peers: GatewayPeers;
  /** Told of an instance that could not be asked (the answer names it too). */
  readonly reportFault?: (error: unknown, detail: string) => void;
}

type PeerAnswer = { readonly instanceId: string; readonly clientCount?: number };

export const createGatewayService = ({ registry, directory, peers, reportFault = () => {} }: GatewayServiceDeps): GatewayService => {
  const self = registry.instanceId;

  /** Every client: this instance's from its registry, the others' from the directory. */
  const everyClient = async (): Promise<ConnectedClient[]> => [
    ...registry.all().map(({ client }) => client),
    ...(await directory.list()).filter((client) => client.instanceId !== self),
  ];

  /** The other instances holding a client that `matches`. */
  const holders = async (matches: (client: ConnectedClient) => boolean, clientId?: string): Promise<string[]> => {
    const candidates = clientId ? [await directory.find(clientId)].filter((client) => client !== undefined) : await directory.list();
    return [...new Set(candidates.filter((client) => client.instanceId !== self && matches(client)).map((client) => client.instanceId))];
  };

  const ask = async (instanceId: string, call: () => Promise<Result<PeerDelivery, DomainFailure>>): Promise<PeerAnswer> => {
    try {
      const answer = await call();
      if (answer.ok) return { instanceId, clientCount: answer.value.clientCount };
      reportFault(answer.error, `gateway ${instanceId} refused a forwarded delivery: ${answer.error.message}`);
    } catch (error) {
      // Only an instance that could not answer is skipped (docs/adr/0027); anything else is a fault of this one.
      if (!(error instanceof DomainFailureError && error.failure.kind === 'unavailable')) throw error;
      reportFault(error, `gateway ${instanceId} could not be asked to deliver`);
    }
    return { instanceId };
  };

  const sum = (here: DeliveryReport, answers: readonly PeerAnswer[]): MeshDelivery => {
    const reached = answers.filter((answer) => answer.clientCount !== undefined);
    const clientCount = reached.reduce((total, answer) => total + answer.clientCount!, here.clientCount);
    return {
      delivered: clientCount > 0,
      clientCount,
      instanceCount: reached.length + 1,
      unreachable: answers.filter((answer) => answer.clientCount === undefined).map((answer) => answer.instanceId),
    };
  };

  const alone = (here: DeliveryReport): MeshDelivery => ({ ...here, instanceCount: 1, unreachable: [] });

  return {
    registerClient: (input) => {
      const checked = checkRegistration(input);
      if (!checked.ok) return checked;
      return registry.register({ ...input, connectionType: checked.value });
    },

    unregisterClient: async (input, scope = 'mesh') => {
      if (!input.clientId) return err(missingField('client_id'));
      if (registry.get(input.clientId) || scope === 'instance') {
        const removed = unregisterLocally(registry, input.clientId, input.sessionId);
        return removed.ok ? ok(undefined) : removed;
      }
      const holder = await directory.find(input.clientId);
      if (!holder || holder.instanceId === self) return err(clientNotFound(input.clientId));
      return peers.unregister(holder.instanceId, input);
    },

    routeMessage: async (input, scope = 'mesh') => {
      const checked = checkRoute(input);
      if (!checked.ok) return checked;
      if (scope === 'instance') return ok(alone(routeLocally(registry, input)));
      const clientId = input.targetClientId || undefined;
      const heldHere = clientId !== undefined && registry.get(clientId) !== undefined;
      const others = heldHere ? [] : await holders((client) => isRouteTarget(input, client), clientId);
      const here = routeLocally(registry, input);
      return ok(sum(here, await Promise.all(others.map((id) => ask(id, () => peers.route(id, input))))));
    },

    broadcastMessage: async (input, scope = 'mesh') => {
      const checked = checkBroadcast(input);
      if (!checked.ok) return checked;
      if (scope === 'instance') return ok(alone(broadcastLocally(registry, input)));
      const others = await holders((client) => isBroadcastTarget(input, client));
      const here = broadcastLocally(registry, input);
      return ok(sum(here, await Promise.all(others.map((id) => ask(id, () => peers.broadcast(id, input))))));
    },

    connectedClients: async (query) => connectedClients(await everyClient(), query),

    clientInfo: async (clientId) => {
      if (!clientId) return err(missingField('client_id'));
      const here = registry.get(clientId);
      if (here) return ok(here);
      // An entry of this instance that its registry no longer has is one whose removal has not landed yet.
      const elsewhere = await directory.find(clientId);
      return elsewhere && elsewhere.instanceId !== self ? ok(elsewhere) : err(clientNotFound(clientId));
    },
  };
};
