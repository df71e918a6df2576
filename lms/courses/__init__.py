"""Courses: ordered sets of modules, basic or advanced, with prerequisites and selection
criteria, each learner's path through them, the trainer's eligibility list, and a course
certificate (an OB 3.0 credential whose evidence names the module certificates).

Courses are files beside the modules (``<content>/courses/<id>.yaml``); the database keeps only
what people decide: a trainer's admission (with its reason) and which training sessions teach a
course."""
