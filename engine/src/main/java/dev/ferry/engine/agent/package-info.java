/**
 * Duty cycles and who runs them: an {@link dev.ferry.engine.agent.Agent} (the serving side, the following side) runs
 * on a thread of Ferry's ({@link dev.ferry.engine.agent.AgentRunner}, made by a {@link java.util.concurrent.ThreadFactory}
 * the application may give) or from the application's own loop ({@link dev.ferry.engine.agent.AgentInvoker}).
 */
package dev.ferry.engine.agent;
