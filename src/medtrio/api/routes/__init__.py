"""Route modules; each exposes `router: APIRouter` and is listed in `medtrio.api.app.ROUTERS`."""
