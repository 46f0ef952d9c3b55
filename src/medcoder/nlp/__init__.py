"""Reading clinical text: documents, sections, sentences, mentions and their assertion."""
