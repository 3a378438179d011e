"""Events and tours: overview, create and edit (and a tour's stages), publish, unpublish,
cancel."""
