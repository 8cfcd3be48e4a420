"""What people see in Discord: pages, paginator, rendering, autocomplete and limits."""
