exports.handler = async (event) => ({ ...event, world: "hello" });
