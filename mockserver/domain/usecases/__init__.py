"""The use cases: one module per thing a client can ask of the mock LoyaPro.

Each is a function taking the `LoyaPro` it acts on, run in one store transaction:

- webhooks: `order` (``process_order``, split into ``prepare_order`` / ``apply_order`` for
  group commit), `reward_lookup` (``lookup_reward``), `redeem` (``redeem_reward``);
- admin: `admin_rewards` (issue, cancel, cashback, a code's state, redemptions),
  `admin_customers` (upsert, view, subscribe), `admin_orders` (the orders held, with their
  ledger and redemptions), `admin_catalog` (businesses, branches, products), `admin_state`
  (reset, clock);
- `demo_state`: the demo business, customers, catalog and codes.
"""

from loyapro_mock.mockserver.domain.usecases.admin_catalog import (
    add_product,
    businesses,
    list_products,
    register_business,
)
from loyapro_mock.mockserver.domain.usecases.admin_customers import customer_view, subscribe, upsert_customer
from loyapro_mock.mockserver.domain.usecases.admin_orders import list_orders
from loyapro_mock.mockserver.domain.usecases.admin_rewards import (
    cancel_reward,
    convert_cashback,
    issue_reward,
    issue_reward_request,
    redemptions,
    reward_state,
)
from loyapro_mock.mockserver.domain.usecases.admin_state import advance_clock, reset, state_marker
from loyapro_mock.mockserver.domain.usecases.loyapro import LoyaPro
from loyapro_mock.mockserver.domain.usecases.order import (
    PreparedOrder,
    apply_order,
    prepare_order,
    process_order,
)
from loyapro_mock.mockserver.domain.usecases.redeem import redeem_reward
from loyapro_mock.mockserver.domain.usecases.reward_lookup import lookup_reward

__all__ = [
    "LoyaPro",
    "PreparedOrder",
    "add_product",
    "advance_clock",
    "apply_order",
    "businesses",
    "cancel_reward",
    "convert_cashback",
    "customer_view",
    "issue_reward",
    "issue_reward_request",
    "list_orders",
    "list_products",
    "lookup_reward",
    "prepare_order",
    "process_order",
    "redeem_reward",
    "redemptions",
    "register_business",
    "reset",
    "reward_state",
    "state_marker",
    "subscribe",
    "upsert_customer",
]
