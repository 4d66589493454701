"""The LTI Advantage services the portal calls on the platform: NRPS roster sync (nrps.py) and
AGS grade passback (ags.py), both through pylti1p3's service classes (connector.py)."""
