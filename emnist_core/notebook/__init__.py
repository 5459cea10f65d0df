"""The lab as a student types it in a notebook: `import emnist_core as el; el.train("cnn")`."""
