"""Read-only pages the hub serves to browsers: the visitor's phone page (`phone.router`)."""
