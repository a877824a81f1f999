// Text pipeline: tokenizer, padding, readers.
