"""The portal as an LTI 1.3 tool (pylti1p3 with these Django models; jwcrypto/PyJWT for JOSE).

Models (lti/models.py):

- ``Registration``: one platform (LMS) allowed to launch the portal: ``issuer``, ``client_id``,
  ``auth_login_url`` (OIDC authorization endpoint), ``auth_token_url`` (OAuth2 token endpoint used
  by NRPS/AGS), ``jwks_url`` (the platform's keys), ``deployment_ids`` (list of accepted
  deployment ids), optional ``audience`` (``aud`` of the client-credentials assertion when not
  the token URL), ``course`` (the portal course its contexts link to; null for a site-wide one
  linked per context in the admin), ``is_active``.
- ``ToolKey``: the tool's RSA keys (``kid``, ``private_pem``, ``public_jwk``, ``retired_at``).
  ``ToolKey.signing_key()`` is the key to sign with (deep linking responses, the JWT assertion of
  a client-credentials token request); ``ToolKey.published()`` is what /lti/jwks/ serves.
  ``manage.py lti_rotate_key`` makes a new key and retires the old one.
- ``CourseContext``: (registration, deployment_id, context_id) -> ``course``; also the NRPS
  ``memberships_url`` (context_memberships_url) and the AGS ``lineitems_url`` + ``ags_scopes``
  from the latest launch in that context.
- ``ResourceLink``: (context, resource_link_id) -> ``assignment`` (convlab) or ``paper``
  (reviews), at most one; ``lineitem_url`` + ``ags_scopes`` of its AGS line item.
- ``Identity``: (registration, ``sub``) -> portal ``user`` (the NRPS ``user_id`` and AGS
  ``userId`` of that user on that platform is ``sub``).
- ``UsedNonce``: nonces of accepted id_tokens (replay refused).

Launches (lti/views.py, lti/launch.py): /lti/login/ (OIDC initiation), /lti/launch/ (id_token
checked by pylti1p3: state, nonce issued to this session, registration, signature against the
platform's JWKS, deployment, message; then iat age and the used-nonce record), /lti/jwks/,
/lti/deep-link/, and /courses/<id>/lti/ where a course's instructors register their LMS (site
admins register site-wide ones in the admin and link their contexts to courses there). A new
(registration, sub) gets a new account; only a site-wide registration links an existing account
by its e-mail. The LMS role updates the course membership at each launch (LMS is the roster's
source of truth) but never demotes staff to student; an ended (inactive) membership is refused.

lti/tool_conf.py adapts the models to pylti1p3 (``PortalToolConf``; ``registration.to_pylti()``
gives a pylti1p3 ``Registration`` with the tool's signing key, for its NRPS/AGS services).
"""
