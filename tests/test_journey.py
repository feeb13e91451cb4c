from httpx import AsyncClient

from tests.journey import walk_journey


async def test_journey_on_postgres(client: AsyncClient, mailbox) -> None:
    result = await walk_journey(client, mailbox)
    assert result["percentage"] == 50
