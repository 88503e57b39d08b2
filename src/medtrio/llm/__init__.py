"""The optional LLM gateway: one client for OpenAI-compatible servers (vLLM, llama.cpp server, Ollama, hosted
APIs), prompts kept as data files, grounded answers that cite only retrieved sources, and chat for the patient
and clinician terminals with guided actions when no LLM is configured.

Configured by MEDTRIO_LLM_BASE_URL, MEDTRIO_LLM_MODEL, MEDTRIO_LLM_API_KEY, MEDTRIO_LLM_ALLOW_IDENTIFIERS.
"""

from medtrio.llm.client import LLMClient, LLMConfig, LLMUnavailable, client_from_settings

__all__ = ["LLMClient", "LLMConfig", "LLMUnavailable", "client_from_settings"]
