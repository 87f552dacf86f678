// The note editor autosave (views/notes). Filled in with the editor.
