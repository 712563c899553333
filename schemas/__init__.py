"""The wire contract: request and response models. OpenAPI is generated from these."""
