"""Server-rendered web terminals: Jinja2 templates, our own CSS/JS, inline SVG charts, i18n catalogues."""
