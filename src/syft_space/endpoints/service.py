"""Endpoints: a dataset and/or a model behind a slug, guarded by policies.

An endpoint refers to its dataset and model by id, so they can be renamed freely; the API speaks
their names. Which parts an endpoint needs follows from its response type, and that rule is
checked on the endpoint as it will be after every create or update.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from syft_space.core.errors import ConflictError, InvalidInputError, NotFoundError
from syft_space.core.resources import TenantRepository, reject_nulls
from syft_space.core.schemas import Page, PageParams
from syft_space.datasets.tables import Dataset
from syft_space.endpoints.schemas import EndpointCreate, EndpointRead, EndpointUpdate, ResponseType
from syft_space.endpoints.tables import Endpoint
from syft_space.marketplaces.changes import forget_endpoint, listed_on, mark_changed
from syft_space.marketplaces.schemas import PublicationRead
from syft_space.marketplaces.tables import Marketplace, Publication
from syft_space.models.tables import Model
from syft_space.policies.tables import Policy

# What a marketplace shows of an endpoint: editing any of these updates its listings.
LISTED_FIELDS = frozenset({"name", "description", "summary", "tags", "response_type", "published"})
_NEEDS = {
    ResponseType.RAW: ("dataset",),
    ResponseType.SUMMARY: ("model",),
    ResponseType.BOTH: ("dataset", "model"),
}


class EndpointService:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.repo = TenantRepository(session, Endpoint, tenant_id)

    def _with_names(self) -> Select[Endpoint, str | None, str | None]:
        dataset, model = aliased(Dataset), aliased(Model)
        return (
            select(Endpoint, dataset.name, model.name)
            .outerjoin(dataset, dataset.id == Endpoint.dataset_id)
            .outerjoin(model, model.id == Endpoint.model_id)
            .where(Endpoint.tenant_id == self.tenant_id)
        )

    async def _publications(
        self, endpoint_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, list[PublicationRead]]:
        rows = await self.session.execute(
            select(Publication, Marketplace.name)
            .join(Marketplace, Marketplace.id == Publication.marketplace_id)
            .where(Publication.endpoint_id.in_(endpoint_ids))
            .order_by(Marketplace.name)
        )
        found: dict[uuid.UUID, list[PublicationRead]] = defaultdict(list)
        for publication, marketplace_name in rows:
            assert publication.endpoint_id is not None
            found[publication.endpoint_id].append(
                PublicationRead(
                    marketplace_id=publication.marketplace_id,
                    marketplace_name=marketplace_name,
                    status=publication.status,  # type: ignore[arg-type]
                    error=publication.error,
                    published_at=publication.published_at,
                    updated_at=publication.updated_at,
                    next_attempt_at=publication.next_attempt_at,
                )
            )
        return found

    async def _reads(
        self, found: Sequence[Row[Endpoint, str | None, str | None]]
    ) -> list[EndpointRead]:
        publications = await self._publications([row.id for row, _, _ in found])
        reads = []
        for row, dataset, model in found:
            fields = {
                name: getattr(row, name)
                for name in EndpointRead.model_fields
                if name not in ("dataset", "model", "published_to")
            }
            fields.update(dataset=dataset, model=model, published_to=publications[row.id])
            reads.append(EndpointRead.model_validate(fields))
        return reads

    async def get_row(self, slug: str) -> Endpoint:
        row = await self.repo.find_by(Endpoint.slug, slug)
        if row is None:
            raise NotFoundError(f"Endpoint '{slug}' not found.")
        return row

    async def get(self, slug: str) -> EndpointRead:
        result = await self.session.execute(self._with_names().where(Endpoint.slug == slug))
        found = result.one_or_none()
        if found is None:
            raise NotFoundError(f"Endpoint '{slug}' not found.")
        (read,) = await self._reads([found])
        return read

    async def list_page(self, params: PageParams) -> Page[EndpointRead]:
        query = self._with_names()
        total = await self.session.scalar(
            select(func.count()).select_from(self.repo.select().subquery())
        )
        result = await self.session.execute(
            query.order_by(Endpoint.slug).offset(params.skip).limit(params.limit)
        )
        return Page[EndpointRead](
            items=await self._reads(list(result)),
            total=total or 0,
            skip=params.skip,
            limit=params.limit,
        )

    async def _resolve(self, table: type[Dataset] | type[Model], name: str | None) -> Any:
        if name is None:
            return None
        field = "dataset" if table is Dataset else "model"
        row_id = await self.session.scalar(
            select(table.id).where(table.tenant_id == self.tenant_id, table.name == name)
        )
        if row_id is None:
            raise InvalidInputError.single(
                ("body", field), f"{field.capitalize()} '{name}' does not exist."
            )
        return row_id

    @staticmethod
    def _check_parts(row: Endpoint) -> None:
        for part in _NEEDS[ResponseType(row.response_type)]:
            if getattr(row, f"{part}_id") is None:
                raise InvalidInputError.single(
                    ("body", part),
                    f"A '{row.response_type}' endpoint needs a {part}; set '{part}' or choose "
                    "another response_type.",
                )

    async def _ensure_slug_free(self, slug: str) -> None:
        if await self.repo.find_by(Endpoint.slug, slug) is not None:
            raise ConflictError(f"Endpoint '{slug}' already exists; choose another slug.")

    async def create(self, data: EndpointCreate) -> EndpointRead:
        await self._ensure_slug_free(data.slug)
        values = data.model_dump(exclude={"dataset", "model"})
        row = Endpoint(
            tenant_id=self.tenant_id,
            dataset_id=await self._resolve(Dataset, data.dataset),
            model_id=await self._resolve(Model, data.model),
            **values,
        )
        self._check_parts(row)
        await self.repo.add(row)
        return await self.get(row.slug)

    async def update(self, slug: str, patch: EndpointUpdate) -> EndpointRead:
        row = await self.get_row(slug)
        changes = patch.model_dump(exclude_unset=True)
        reject_nulls(
            changes,
            (
                "name",
                "slug",
                "description",
                "summary",
                "tags",
                "response_type",
                "system_prompt",
                "published",
            ),
        )
        if "slug" in changes and changes["slug"] != row.slug:
            listed = await listed_on(self.session, row.id)
            if listed:
                raise ConflictError(
                    f"Endpoint '{row.slug}' is published on {', '.join(listed)}, where its slug "
                    "is its address: unpublish it first, change the slug, then publish again."
                )
            await self._ensure_slug_free(changes["slug"])
        if "dataset" in changes:
            row.dataset_id = await self._resolve(Dataset, changes.pop("dataset"))
        if "model" in changes:
            row.model_id = await self._resolve(Model, changes.pop("model"))
        for name, value in changes.items():
            setattr(row, name, value)
        self._check_parts(row)
        await self.session.flush()
        if patch.model_fields_set & LISTED_FIELDS:
            await mark_changed(self.session, row.id)
        return await self.get(row.slug)

    async def delete(self, slug: str) -> str:
        row = await self.get_row(slug)
        policies = await self.session.scalar(
            select(func.count()).select_from(Policy).where(Policy.endpoint_id == row.id)
        )
        await forget_endpoint(self.session, row.id)
        await self.repo.delete(row)
        return f"Endpoint '{slug}' and its {policies or 0} policies deleted."

    async def slugs_using_dataset(self, dataset_id: uuid.UUID) -> list[str]:
        return await self._slugs_where(Endpoint.dataset_id == dataset_id)

    async def slugs_using_model(self, model_id: uuid.UUID) -> list[str]:
        return await self._slugs_where(Endpoint.model_id == model_id)

    async def _slugs_where(self, condition: Any) -> list[str]:
        rows = await self.session.scalars(
            select(Endpoint.slug)
            .where(Endpoint.tenant_id == self.tenant_id, condition)
            .order_by(Endpoint.slug)
        )
        return list(rows)
