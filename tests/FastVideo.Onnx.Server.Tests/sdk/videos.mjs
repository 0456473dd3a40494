// The official OpenAI Node SDK's videos client against a fastvideo-onnx server: create, poll, list, download, delete.
// Run by SdkTests with FASTVIDEO_BASE_URL (http://127.0.0.1:PORT/) and FASTVIDEO_API_KEY; exits non-zero on any mismatch.
import OpenAI, { NotFoundError } from "openai";

const fail = (message) => { console.error("sdk test: " + message); process.exit(1); };
const client = new OpenAI({ baseURL: new URL("v1", process.env.FASTVIDEO_BASE_URL).href, apiKey: process.env.FASTVIDEO_API_KEY, maxRetries: 0, timeout: 30_000 });

// create (the SDK sends multipart/form-data); fields beyond OpenAI's are the server's extensions
const created = await client.videos.create({ prompt: "a red fox runs through fresh snow", model: "wan-t2v-tiny", size: "64x64", seconds: "1", num_inference_steps: 1 });
if (created.object !== "video" || !created.id.startsWith("video_")) fail("create returned " + JSON.stringify(created));
if (!["queued", "in_progress"].includes(created.status)) fail("new video status " + created.status);

// poll (bounded)
let video = created;
for (let i = 0; i < 600 && !["completed", "failed"].includes(video.status); i++) {
  await new Promise((r) => setTimeout(r, 100));
  video = await client.videos.retrieve(created.id);
}
if (video.status !== "completed") fail("video ended " + JSON.stringify(video));
if (video.progress !== 100 || typeof video.completed_at !== "number" || typeof video.expires_at !== "number") fail("completed video " + JSON.stringify(video));

// list, page by page through the SDK's cursor pagination (limit 1, cursor 'after')
const second = await client.videos.create({ prompt: "a second video", model: "wan-t2v-tiny", size: "64x64", seconds: "1", num_inference_steps: 1 });
const listed = [];
for await (const item of client.videos.list({ limit: 1, order: "asc" })) {
  listed.push(item.id);
  if (listed.length > 10) fail("pagination does not end: " + listed.join(","));
}
if (listed.join(",") !== [created.id, second.id].join(",")) fail("list gave " + listed.join(","));

// download
const response = await client.videos.downloadContent(created.id);
const bytes = Buffer.from(await response.arrayBuffer());
const type = response.headers.get("content-type");
const isMp4 = bytes.subarray(4, 8).toString("latin1") === "ftyp", isAvi = bytes.subarray(0, 4).toString("latin1") === "RIFF";
if (bytes.length < 1000 || !(isMp4 || isAvi)) fail(`download gave ${bytes.length} bytes of ${type}`);
const thumbnail = Buffer.from(await (await client.videos.downloadContent(created.id, { variant: "thumbnail" })).arrayBuffer());
if (thumbnail[0] !== 0xff || thumbnail[1] !== 0xd8) fail("thumbnail is not a JPEG");

// delete, then the video is gone (the SDK raises NotFoundError for the 404 envelope)
const deleted = await client.videos.delete(created.id);
if (deleted.id !== created.id || deleted.object !== "video.deleted" || deleted.deleted !== true) fail("delete returned " + JSON.stringify(deleted));
try {
  await client.videos.retrieve(created.id);
  fail("retrieve after delete succeeded");
} catch (e) {
  if (!(e instanceof NotFoundError)) fail("retrieve after delete: " + e);
  if (!e.error || typeof e.error.message !== "string") fail("404 without an OpenAI error body: " + JSON.stringify(e.error));
}
console.log(JSON.stringify({ ok: true, created: created.id, bytes: bytes.length, type, listed: listed.length }));
