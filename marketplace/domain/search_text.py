"""What keyword search reads of an offer besides its title (offer.search_text), written when
the offer is published and again when its specification is renamed."""


def search_text_for(
    *,
    description: str,
    specification_code: str,
    specification_name: str,
    provider_name: str,
    service_levels: list | None,
) -> str:
    levels = " ".join(
        f"{level.get('measure', '')} {level.get('target', '')}" for level in service_levels or []
    )
    parts = [description, specification_code, specification_name, provider_name, levels]
    return "\n".join(part for part in parts if part)
