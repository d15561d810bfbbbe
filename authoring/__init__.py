"""Authoring the hidden side of a competition: everything an organizer runs before and around
it, none of which scores a submission.

- ``authoring.face``: the face bundle builder (MTCNN 5-point alignment), threshold calibration
  of model sets, the demo and its baselines;
- ``authoring.driving``: the driving bundle builder with its marker finders
  (``authoring.driving.markers``), the synthetic scene generator and detector training
  (``scenegen``), the demo (with its fixed detectors in ``demo_models/``) and baselines;
- ``authoring.deepfake``: the forged-face dataset generator, the demo and its baseline image;
- ``authoring.demo_competition``: the offline demo competition of all tracks;
- ``authoring.progress``: stage lines with the time left, for the long builds.

Command line: ``python -m authoring <command>`` (``--help`` lists them). The scorers live in
``evaluators`` and never import this package.
"""
