//! Kafka edges: consumer, producer, admin. (skeleton)
