// Package viewer builds the interactive viewer of a project: the page of
// `composenet report` (one self-contained HTML file that works offline) and
// of `composenet serve` (the same page, live, with an HTTP API).
//
// The page's answers come from package sim, never from JavaScript: a report
// embeds the journey of every source (each container, the host, the
// internet) to every container port (see Build and its limits), a server
// answers each question as it is asked. The diagram is the DOT renderer's
// picture laid out by Graphviz (the composenet-graphviz helper), marked
// with data attributes the page and browser tests rely on (see Diagram).
//
// The front-end is plain JavaScript and CSS in assets/, embedded in the
// binary; it builds every element with textContent, never HTML from data.
package viewer
