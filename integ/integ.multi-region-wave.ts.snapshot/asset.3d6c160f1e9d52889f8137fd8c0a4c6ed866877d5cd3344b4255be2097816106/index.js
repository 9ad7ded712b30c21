// The orders API handler deployed by the example stage.
exports.handler = async () => ({ statusCode: 200, body: JSON.stringify({ ok: true }) });
