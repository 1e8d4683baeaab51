/* The API docs page: Swagger UI has no Chinese of its own, so the words of its buttons and
   headings are put in Chinese as it draws them (text nodes and a few attributes, whole
   texts only: the API's own descriptions are already Chinese). */
(function () {
  "use strict";
  var WORDS = {
    "Authorize": "认证",
    "Authorized": "已认证",
    "Available authorizations": "可用的认证方式",
    "Logout": "退出",
    "Close": "关闭",
    "Try it out": "试一试",
    "Try it out ": "试一试",
    "Cancel": "取消",
    "Execute": "发送请求",
    "Clear": "清除",
    "Parameters": "参数",
    "Parameter": "参数",
    "No parameters": "无参数",
    "Name": "名称",
    "Description": "说明",
    "Responses": "响应",
    "Response body": "响应内容",
    "Response headers": "响应头",
    "Request body": "请求内容",
    "Request URL": "请求地址",
    "Request URL ": "请求地址",
    "Server response": "服务器响应",
    "Code": "状态码",
    "Details": "详情",
    "Links": "链接",
    "No links": "无",
    "Schemas": "数据结构",
    "Schema": "结构",
    "Example Value": "示例",
    "Media type": "媒体类型",
    "Controls": "决定",
    "header.": "请求头",
    "Download": "下载",
    "Loading...": "加载中……",
    "required": "必填",
    "Value:": "值：",
    "Send empty value": "发送空值",
    "Default value": "默认值",
    "Available values": "可选值",
    "Undocumented": "文档未列出",
    "Failed to fetch.": "请求失败。",
    "Servers": "服务器",
    "Expand all": "全部展开",
    "Collapse all": "全部收起",
    "Successful Response": "成功",
    "Filter by tag": "按标签筛选",
    "Explore": "浏览",
    "Curl": "curl 命令",
    "Duration": "耗时",
    "Reset": "重置",
    "Hide": "收起",
    "Show": "展开",
    "Example": "示例",
    "Examples": "示例",
    "Value": "值",
    "Bearer": "Bearer 令牌",
    "APIKeyCookie  (apiKey)": "会话 Cookie（apiKey）",
    "Name:": "名称：",
    "In:": "位置：",
    "Scopes:": "范围：",
    "Flow:": "流程：",
    "Choose File": "选择文件",
    "Please correct the following validation errors and try again.": "请改正以下输入错误后重试。",
    "Required field is not provided": "必填项未填写",
    "Value must be an integer": "应为整数",
    "Value must be a number": "应为数字",
    "Value must be a string": "应为文本",
    "Value must be a boolean": "应为 true 或 false",
    "Value must be a file": "应为文件"
  };
  // Swagger UI's own check of the inputs, with the value in the sentence.
  var PATTERNS = [
    [/^For '(.*)': (.*?)\.?$/, function (m, name, rest) { return "「" + name + "」：" + say(rest); }],
    [/^Value must be greater than or equal to (.+)$/, "应不小于$1"],
    [/^Value must be less than or equal to (.+)$/, "应不大于$1"],
    [/^Value must be greater than (.+)$/, "应大于$1"],
    [/^Value must be less than (.+)$/, "应小于$1"],
    [/^Value must follow pattern (.+)$/, "应符合格式 $1"]
  ];

  function say(text) {
    if (Object.prototype.hasOwnProperty.call(WORDS, text)) return WORDS[text];
    for (var i = 0; i < PATTERNS.length; i++) {
      if (PATTERNS[i][0].test(text)) return text.replace(PATTERNS[i][0], PATTERNS[i][1]);
    }
    return null;
  }
  var ATTRIBUTES = ["title", "aria-label", "placeholder", "value"];

  function translateText(node) {
    var text = node.nodeValue;
    if (!text) return;
    var key = text.trim();
    var chinese = key ? say(key) : null;
    if (chinese !== null && chinese !== key) {
      node.nodeValue = text.replace(key, chinese);
    }
  }

  function translateElement(element) {
    ATTRIBUTES.forEach(function (name) {
      if (name === "value" && element.tagName !== "BUTTON") return;
      var value = element.getAttribute(name);
      var chinese = value ? say(value.trim()) : null;
      if (chinese !== null && chinese !== value.trim()) {
        element.setAttribute(name, chinese);
      }
    });
  }

  function walk(root) {
    if (root.nodeType === Node.TEXT_NODE) {
      translateText(root);
      return;
    }
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    translateElement(root);
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    var node;
    while ((node = walker.nextNode())) {
      if (node.nodeType === Node.TEXT_NODE) translateText(node);
      else translateElement(node);
    }
  }

  var target = document.getElementById("swagger-ui");
  if (!target) return;
  new MutationObserver(function (mutations) {
    mutations.forEach(function (mutation) {
      if (mutation.type === "characterData") translateText(mutation.target);
      else if (mutation.type === "attributes") translateElement(mutation.target);
      else mutation.addedNodes.forEach(walk);
    });
  }).observe(target, {
    childList: true,
    subtree: true,
    characterData: true,
    attributes: true,
    attributeFilter: ATTRIBUTES
  });
})();
