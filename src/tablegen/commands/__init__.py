"""The commands besides check and build, each over the library: `fmt`, `diff`, `rollover`,
`scaffold` (new, new-book), `init`, `serve`, `doctor`."""
