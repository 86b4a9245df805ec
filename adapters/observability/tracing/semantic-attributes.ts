/**
 * The OpenTelemetry semantic conventions our spans follow (HTTP and database: stable names; RPC and
 * messaging: the names of semantic conventions 1.36, which collectors and backends read today).
 * Written out rather than imported from @opentelemetry/semantic-conventions, whose incubating entry
 * point is not meant for libraries to pin (docs/adr/0048).
 */

// General
export const ERROR_TYPE = 'error.type';
export const SERVER_ADDRESS = 'server.address';
export const SERVER_PORT = 'server.port';
export const CLIENT_ADDRESS = 'client.address';
export const NETWORK_PROTOCOL_VERSION = 'network.protocol.version';

// HTTP
export const HTTP_REQUEST_METHOD = 'http.request.method';
export const HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const HTTP_ROUTE = 'http.route';
export const URL_PATH = 'url.path';
export const URL_SCHEME = 'url.scheme';
export const URL_FULL = 'url.full';
export const USER_AGENT_ORIGINAL = 'user_agent.original';

// RPC (gRPC)
export const RPC_SYSTEM = 'rpc.system';
export const RPC_SERVICE = 'rpc.service';
export const RPC_METHOD = 'rpc.method';
export const RPC_GRPC_STATUS_CODE = 'rpc.grpc.status_code';

// Messaging
export const MESSAGING_SYSTEM = 'messaging.system';
export const MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
export const MESSAGING_DESTINATION_TEMPLATE = 'messaging.destination.template';
export const MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
export const MESSAGING_OPERATION_NAME = 'messaging.operation.name';
export const MESSAGING_MESSAGE_ID = 'messaging.message.id';
export const MESSAGING_CONSUMER_GROUP_NAME = 'messaging.consumer.group.name';

// Database
export const DB_SYSTEM_NAME = 'db.system.name';
export const DB_NAMESPACE = 'db.namespace';
export const DB_OPERATION_NAME = 'db.operation.name';
export const DB_COLLECTION_NAME = 'db.collection.name';
export const DB_QUERY_TEXT = 'db.query.text';
export const DB_RESPONSE_STATUS_CODE = 'db.response.status_code';

/** `messaging.system` of our layer 3: Redis, or this process's memory (`npm start` without Redis). */
export type MessagingSystem = 'redis' | 'meshwork_memory';
