"""Operations: readiness probe for load balancers, backups."""
