"""localstripe (PyPI), the Stripe stand-in the tests pay against, taught the few parts of
today's Stripe API the store uses and it predates. Usage: stripe-peer.py PORT

localstripe 1.15 models an older API. The store sends what Stripe requires now, so here:
- confirming a PaymentIntent takes `payment_method` (a new card after a decline or a failed
  authentication), `return_url` (required by Stripe when confirming on the server) and
  `use_stripe_sdk` (3-D Secure inside the page, which is all localstripe does);
- its Stripe.js is served in a block, so that its own `Element` class stays its own, and
  gains `createPaymentMethod` (made from its card token: the PaymentIntent
  takes the token's card as the payment method, as Stripe does for Card objects) and
  `handleNextAction` (its 3-D Secure dialog, `confirmCardPayment`);
- vouchers (OXXO, konbini, Pix), which localstripe lacks: a PaymentIntent created with
  `payment_method_data[type]` one of them and `confirm=true` waits for the shopper
  (`requires_action`) with its slip in `next_action`, as Stripe's does. The test then plays
  the shopper at the till or the bank: `POST /__voucher/{id}/paid` pays it, and
  `POST /__voucher/{id}/expired` lets the slip expire; either is sent to the webhooks
  registered with localstripe, as Stripe sends it. `POST /__vouchers/{kind}/off` makes it
  refuse that voucher from then on, as Stripe does one the account has not activated.
Everything else is localstripe's own.
"""

import os
import sys
import time

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

# The vouchers Stripe offers the store: the currency each takes, and the days it stays valid.
VOUCHERS = {'oxxo': ('mxn', 5), 'konbini': ('jpy', 3), 'pix': ('brl', 1)}
_create = PaymentIntent._api_create
OFF = set()


def slip(kind, intent, expires):
    page = 'https://payments.stripe.com/voucher/' + intent
    if kind == 'oxxo':
        return {'type': 'oxxo_display_details',
                'oxxo_display_details': {'expires_after': expires,
                                         'hosted_voucher_url': page,
                                         'number': '9300' + str(abs(hash(intent)))[:10]}}
    if kind == 'konbini':
        return {'type': 'konbini_display_details',
                'konbini_display_details': {'expires_at': expires,
                                            'hosted_voucher_url': page}}
    return {'type': 'pix_display_qr_code',
            'pix_display_qr_code': {'data': '00020101021226870014br.gov.bcb.pix' + intent,
                                    'expires_at': expires,
                                    'hosted_instructions_url': page}}


@classmethod
def _api_create_voucher(cls, confirm=None, payment_method_data=None, return_url=None,
                        **data):
    if payment_method_data is None:
        return _create.__func__(cls, confirm=confirm, **data)
    kind = payment_method_data.get('type')
    billing = payment_method_data.get('billing_details') or {}
    if kind not in VOUCHERS or confirm not in ('true', True):
        raise UserError(400, 'Bad request')
    if kind in OFF:
        raise UserError(400, 'The payment method type "%s" is invalid. Please ensure the '
                        'provided type is activated in your dashboard.' % kind,
                        {'code': 'payment_method_not_available'})
    if data.get('currency') != VOUCHERS[kind][0]:
        raise UserError(400, 'The payment method `%s` does not support this currency' % kind,
                        {'code': 'payment_intent_invalid_parameter'})
    # Stripe requires the payer's name and email for OXXO and konbini slips.
    if kind != 'pix' and not (billing.get('name') and billing.get('email')):
        raise UserError(400, 'Missing required param: billing_details[name], [email]',
                        {'code': 'parameter_missing'})
    obj = _create.__func__(cls, **data)
    obj.payment_method = 'pm_' + kind + obj.id[3:]
    obj.payment_method_types = [kind]
    obj.next_action = slip(kind, obj.id, int(time.time()) + VOUCHERS[kind][1] * 86400)
    obj._voucher = None
    return obj


PaymentIntent._api_create = _api_create_voucher
_status = PaymentIntent.status
_error = PaymentIntent.last_payment_error


def voucher_status(self):
    state = getattr(self, '_voucher', None)
    if state == 'paid' and not self._canceled:
        return 'succeeded'
    return _status.fget(self)


def voucher_error(self):
    if getattr(self, '_voucher', None) == 'expired':
        return {'code': 'payment_intent_payment_attempt_expired',
                'message': 'The voucher expired before it was paid.'}
    return _error.fget(self)


PaymentIntent.status = property(voucher_status)
PaymentIntent.last_payment_error = property(voucher_error)

from localstripe import server  # noqa: E402


async def voucher_outcome(request):
    """The shopper pays the slip at the till (`paid`), or never does (`expired`)."""
    obj = PaymentIntent._api_retrieve(request.match_info['id'])
    outcome = request.match_info['outcome']
    if not hasattr(obj, '_voucher') or obj.status != 'requires_action' \
            or outcome not in ('paid', 'expired'):
        raise UserError(400, 'Bad request')
    obj.next_action = None
    obj._voucher = outcome
    if outcome == 'paid':
        obj.amount_received = obj.amount
        resources.schedule_webhook(resources.Event('payment_intent.succeeded', obj))
    else:
        obj.payment_method = None
        resources.schedule_webhook(resources.Event('payment_intent.payment_failed', obj))
    return web.json_response(obj._export())


async def voucher_off(request):
    OFF.add(request.match_info['kind'])
    return web.json_response({})


server.app.router.add_post('/__voucher/{id}/{outcome}', voucher_outcome)
server.app.router.add_post('/__vouchers/{kind}/off', voucher_off)

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
