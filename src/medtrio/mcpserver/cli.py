"""`medtrio mcp serve`: run the MCP server over stdio (desktop LLM clients) or streamable HTTP."""

from __future__ import annotations

import typer


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    mcp_app = typer.Typer(
        help="Model Context Protocol server exposing Medtrio's engines.", no_args_is_help=True
    )
    app.add_typer(mcp_app, name="mcp")

    @mcp_app.command("serve")
    def serve_cmd(
        http: bool = typer.Option(False, "--http", help="streamable HTTP instead of stdio"),
        port: int = typer.Option(8765, help="HTTP port (127.0.0.1 only)"),
    ) -> None:
        """Serve the engines as MCP tools."""
        from medtrio.mcpserver.server import build_server

        server = build_server()
        if http:
            server.run(transport="streamable-http", host="127.0.0.1", port=port)
        else:
            server.run()

    @mcp_app.command("tools")
    def tools_cmd() -> None:
        """List the tools this build offers."""
        import anyio

        from medtrio.mcpserver.server import build_server

        for tool in anyio.run(build_server().list_tools):
            typer.echo(f"{tool.name}: {(tool.description or '').splitlines()[0]}")
