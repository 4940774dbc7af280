/// The Train stage library. See README.md for what it does.
enum TrainModule {}
