"""Medtrio's engines as Model Context Protocol tools, so external LLM clients can call them.

Named `mcpserver` so it never shadows the `mcp` SDK package. See `server.build_server`.
"""
