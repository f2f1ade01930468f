"""Services that combine storage and delivery: taking roles back, with the notices it sends."""
