"""Writing the YAML sources: the one canonical form (`yamlout`), comments carried over
(`comments`), the one editor of book.yaml (`edit_book`)."""
