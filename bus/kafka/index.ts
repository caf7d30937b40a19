export { KafkaBus, KafkaSubscription, type KafkaBusOptions } from './kafka-bus';
export { toBusError, isRebalanceError, KAFKA_DEFAULT_MAX_MESSAGE_BYTES } from './errors';
export { toKafkaMessage, fromKafkaMessage, decodeHeaders } from './messages';
