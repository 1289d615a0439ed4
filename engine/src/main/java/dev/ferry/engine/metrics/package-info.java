/**
 * Figures where operators look: a Prometheus text endpoint ({@code --metrics HOST:PORT}) serving a node's status
 * figures and its error counters, nothing else.
 */
package dev.ferry.engine.metrics;
