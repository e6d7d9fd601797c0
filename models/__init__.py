"""Translation models: Argos package management, the CTranslate2 engine, the test-package builder."""
