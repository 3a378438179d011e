"""The sign-up flow and the participant's pages behind their manage link (details, cancel,
calendar, ticket); the development outbox page."""
