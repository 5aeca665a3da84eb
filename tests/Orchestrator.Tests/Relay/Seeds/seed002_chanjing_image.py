# Seed 002: Chanjing kling-v2-1 image creation (the document's Python example)
# Copied from ../shared/seeds/002_6eed9e3523cde386.txt as published; changed for the relay test only: the scheme and
# host (plain HTTP on loopback, RELAY_HOST), the access token (RELAY_ACCESS_TOKEN, fetched from the relay's
# /open/v1/access_token as a Chanjing client fetches it), and `import os` for reading them. Nothing else.
import os
import requests
import json

url = "http://" + os.environ["RELAY_HOST"] + "/open/v1/ai_creation/task/submit"

payload = json.dumps({
  "ref_prompt": "生成一张微缩模型风格的创意场景图。画面中央是一个古典青花瓷碗,碗里盛着雪白的汤圆,最上面一颗破皮流出黑芝麻馅。",
  "creation_type": 3,
  "aspect_ratio": "9:16",
  "clarity": 2048,
  "number_of_images": 1,
  "model_code": "kling-v2-1"
})
headers = {
  'access_token': os.environ["RELAY_ACCESS_TOKEN"],
  'Content-Type': 'application/json'
}

response = requests.request("POST", url, headers=headers, data=payload)
print(response.text)
