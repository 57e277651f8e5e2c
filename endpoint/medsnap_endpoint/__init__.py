"""The hospital messaging endpoint (directory and CA, mailboxes, receipts, audit)."""
