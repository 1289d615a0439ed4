/**
 * The {@code ferry} command line: one class per subcommand, errors as one line on stderr with a non-zero exit.
 */
package dev.ferry.engine.cli;
