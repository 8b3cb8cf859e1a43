// Placeholder so the target builds while its work is in progress.
