exports.handler = async (event) => ({ ...event, hello: "world" });
