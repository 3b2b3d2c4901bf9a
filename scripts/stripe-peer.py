"""localstripe (PyPI), the Stripe stand-in the tests pay against, taught the few parts of
today's Stripe API the store uses and it predates. Usage: stripe-peer.py PORT

localstripe 1.15 models an older API. The store sends what Stripe requires now, so here:
- confirming a PaymentIntent takes `payment_method` (a new card after a decline or a failed
  authentication), `return_url` (required by Stripe when confirming on the server) and
  `use_stripe_sdk` (3-D Secure inside the page, which is all localstripe does);
- its Stripe.js is served in a block, so that its own `Element` class stays its own, and
  gains `createPaymentMethod` (made from its card token: the PaymentIntent
  takes the token's card as the payment method, as Stripe does for Card objects) and
  `handleNextAction` (its 3-D Secure dialog, `confirmCardPayment`).
Everything else is localstripe's own.
"""

import os
import sys

from aiohttp import web
from localstripe import resources
from localstripe.errors import UserError

# Its store pickles itself to one file in /tmp at every write: slow, and shared by every
# instance. The tests start one per store and keep nothing.
resources.Store.dump_to_disk = lambda self: None

PaymentIntent = resources.PaymentIntent
_confirm = PaymentIntent._api_confirm


@classmethod
def _api_confirm(cls, id, payment_method=None, return_url=None, use_stripe_sdk=None,
                 **kwargs):
    if payment_method is not None:
        if not (isinstance(payment_method, str) and
                payment_method.startswith(('pm_', 'card_', 'src_'))):
            raise UserError(400, 'Bad request')
        resources.PaymentMethod._api_retrieve(payment_method)  # 404 if unknown
        obj = cls._api_retrieve(id)
        if obj.status not in ('requires_payment_method', 'requires_confirmation'):
            raise UserError(400, 'This PaymentIntent cannot be confirmed now',
                            {'code': 'payment_intent_unexpected_state'})
        # A new card for an intent whose last one was declined or not authenticated.
        obj.payment_method = payment_method
        obj.latest_charge = None
        obj._authentication_failed = False
    return _confirm.__func__(cls, id, **kwargs)


PaymentIntent._api_confirm = _api_confirm
# The routes are made from this list when the server module loads: patched before that.
resources.extra_apis[:] = [
    (m, u, _api_confirm.__get__(None, PaymentIntent) if f == _confirm else f)
    for m, u, f in resources.extra_apis]

from localstripe import server  # noqa: E402

SHIM = """
;(() => {
  const make = Stripe;
  Stripe = (key) => {
    const stripe = make(key);
    stripe.createPaymentMethod = async ({card}) => {
      const made = await stripe.createToken(card);
      return made.error ? {error: made.error}
                        : {paymentMethod: {id: made.token.card.id}};
    };
    stripe.handleNextAction = ({clientSecret}) =>
      stripe.confirmCardPayment(clientSecret);
    return stripe;
  };
})();
"""


@web.middleware
async def stripe_js(request, handler):
    if request.path == '/js.stripe.com/v3/':
        path = os.path.join(os.path.dirname(server.__file__), 'localstripe-v3.js')
        with open(path) as f:
            text = f.read()
        # In a block: its top-level `class Element` would otherwise shadow the DOM's
        # `Element` for every script of the page (wasm-bindgen's casts among them). Its API
        # base is read from the script's own address.
        return web.Response(text='{\n' + text + SHIM + '\n}\n',
                            content_type='application/javascript',
                            headers={'Access-Control-Allow-Origin': '*'})
    return await handler(request)


server.app.middlewares.insert(0, stripe_js)

if __name__ == '__main__':
    sys.argv = [sys.argv[0], '--port', sys.argv[1], '--from-scratch']
    server.start()
