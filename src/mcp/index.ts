/** mcp: Tally's data as tools for assistants: the MCP server (HTTP and stdio), `tally ask`'s tool loop, explain_change. */
export { TOOLS, toolsFor, callTool, type ToolDeps, type ToolOutcome } from './_call.js';
export { createMcpServer, handleMcpHttp, type McpHttpDeps } from './_server.js';
export { connectMcpProxy, type McpRemote } from './_proxy.js';
export {
  askQuestion,
  dataEnvelope,
  systemPrompt,
  type AskResult,
  type AskToolCall,
  type ChatFn,
  type ChatMessage,
  type ChatTool,
  type ChatTurn,
} from './_ask.js';
export { gatewayChat, resolveKey } from './_chat.js';
export { askSpent, recordAskSpend } from './_budget.js';
export { explainChange, scopeChangeJson, type ChangeCell, type ScopeChange } from './_explain.js';
export { inputJsonSchema, type Tool, type ToolContext } from './_tool.js';
export { MAX_RESULT_CHARS, capResult } from './_bound.js';
export { seedToolAnswers, seedCalls } from './_seed.js';
