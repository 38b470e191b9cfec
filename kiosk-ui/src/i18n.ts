// Every word the kiosk shows, in Simplified Chinese (default), Traditional
// Chinese, Tibetan and English. Keys are stable: the terminal sends message
// keys, never sentences. Tibetan and Traditional texts should be reviewed by
// native speakers at the county office before a rollout (see docs/i18n.md).

export const LANGUAGES = ['zh-Hans', 'zh-Hant', 'bo', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const LANGUAGE_NAMES: Record<Language, string> = {
  'zh-Hans': '简体中文',
  'zh-Hant': '繁體中文',
  bo: 'བོད་ཡིག',
  en: 'English',
};

type Dictionary = Record<string, string>;

const zhHans: Dictionary = {
  'app.title': '农村养老保险 自助服务',
  'idle.insert': '请插入社保卡',
  'idle.hint': '芯片朝上，插进下面的卡口',
  'reading': '正在读卡，请稍候……',
  'pin.greeting': '{name}，您好',
  'pin.prompt': '请输入 6 位密码',
  'pin.wrong': '密码不对，还可以试 {tries} 次',
  'pin.clear': '更正',
  'pin.ok': '确认',
  'loading': '正在查询，请稍候……',
  'account.balance': '个人账户余额',
  'account.years': '已缴费 {paid} 年，需缴 {required} 年',
  'account.contributions': '缴费记录',
  'account.tier': '{tier} 元档',
  'account.none': '还没有缴费记录',
  'account.pension.not-started': '还没有开始领养老金',
  'account.pension.paid': '每月领取 {amount}',
  'account.pension.suspended-certification': '养老金暂停：需要做领取资格认证',
  'account.pension.suspended-family-binding': '养老金暂停：家里还有人没缴今年的费',
  'account.pension.stopped': '养老金已停发',
  'account.certifiedThrough': '资格认证有效到 {month}',
  'account.offline': '网络暂时中断，显示的是 {date} 的信息',
  'account.village': '{village}',
  'removeCard': '办完了，请取出社保卡',
  'money.yuan': '{amount} 元',
  'card.unreadable': '这张卡在这里读不了，请到乡镇社保所办理',
  'card.expired': '这张卡已经过期，请到社保所换新卡',
  'card.pinBlocked': '密码已被锁住，请带身份证到社保所解锁',
  'card.notAuthentic': '这张卡没有通过验证，请到社保所咨询',
  'card.removedTooSoon': '卡拔得太快了，请重新插卡',
  'account.notFound': '没有找到您的参保信息，请到社保所咨询',
  'server.unavailable': '暂时连不上县里的服务器，请稍后再试',
  'server.error': '系统出了点问题，请稍后再试或到社保所办理',
  'staff.title': '维护人员菜单',
  'staff.hello': '{name}，您好',
  'status.offline': '离线',
  'status.online': '在线',
};

const zhHant: Dictionary = {
  'app.title': '農村養老保險 自助服務',
  'idle.insert': '請插入社保卡',
  'idle.hint': '晶片朝上，插進下面的卡口',
  'reading': '正在讀卡，請稍候……',
  'pin.greeting': '{name}，您好',
  'pin.prompt': '請輸入 6 位密碼',
  'pin.wrong': '密碼不對，還可以試 {tries} 次',
  'pin.clear': '更正',
  'pin.ok': '確認',
  'loading': '正在查詢，請稍候……',
  'account.balance': '個人帳戶餘額',
  'account.years': '已繳費 {paid} 年，需繳 {required} 年',
  'account.contributions': '繳費記錄',
  'account.tier': '{tier} 元檔',
  'account.none': '還沒有繳費記錄',
  'account.pension.not-started': '還沒有開始領養老金',
  'account.pension.paid': '每月領取 {amount}',
  'account.pension.suspended-certification': '養老金暫停：需要做領取資格認證',
  'account.pension.suspended-family-binding': '養老金暫停：家裡還有人沒繳今年的費',
  'account.pension.stopped': '養老金已停發',
  'account.certifiedThrough': '資格認證有效到 {month}',
  'account.offline': '網路暫時中斷，顯示的是 {date} 的資訊',
  'account.village': '{village}',
  'removeCard': '辦完了，請取出社保卡',
  'money.yuan': '{amount} 元',
  'card.unreadable': '這張卡在這裡讀不了，請到鄉鎮社保所辦理',
  'card.expired': '這張卡已經過期，請到社保所換新卡',
  'card.pinBlocked': '密碼已被鎖住，請帶身分證到社保所解鎖',
  'card.notAuthentic': '這張卡沒有通過驗證，請到社保所諮詢',
  'card.removedTooSoon': '卡拔得太快了，請重新插卡',
  'account.notFound': '沒有找到您的參保資訊，請到社保所諮詢',
  'server.unavailable': '暫時連不上縣裡的伺服器，請稍後再試',
  'server.error': '系統出了點問題，請稍後再試或到社保所辦理',
  'staff.title': '維護人員選單',
  'staff.hello': '{name}，您好',
  'status.offline': '離線',
  'status.online': '在線',
};

const bo: Dictionary = {
  'app.title': 'ཞིང་གྲོང་རྒས་གསོ་ཉེན་འགོག་ རང་སྤྱོད་ཞབས་ཞུ།',
  'idle.insert': 'སྤྱི་ཚོགས་ཉེན་འགོག་ཤོག་བྱང་ནང་དུ་འཇུག་རོགས།',
  'idle.hint': 'ཆིབ་ཁ་གྱེན་དུ་བསྟན་ནས་འོག་གི་ཁ་ནང་འཇུག་རོགས།',
  'reading': 'ཤོག་བྱང་ཀློག་བཞིན་ཡོད། ཏོག་ཙམ་སྒུག་རོགས།',
  'pin.greeting': '{name} བཀྲ་ཤིས་བདེ་ལེགས།',
  'pin.prompt': 'གསང་ཨང་གྲངས་ཀ་ ༦ ནང་འཇུག་གནང་རོགས།',
  'pin.wrong': 'གསང་ཨང་ནོར་འདུག ད་དུང་ཐེངས་ {tries} ཚོད་ལྟ་ཆོག',
  'pin.clear': 'བསྐྱར་བཅོས།',
  'pin.ok': 'གཏན་འཁེལ།',
  'loading': 'འཚོལ་བཞིན་ཡོད། ཏོག་ཙམ་སྒུག་རོགས།',
  'account.balance': 'སྒེར་གྱི་རྩིས་ཐོའི་ལྷག་མ།',
  'account.years': 'ལོ་ {paid} འཇལ་ཟིན། ལོ་ {required} འཇལ་དགོས།',
  'account.contributions': 'འཇལ་འབབ་ཟིན་ཐོ།',
  'account.tier': 'སྒོར་ {tier} ཡི་རིམ་པ།',
  'account.none': 'ད་དུང་འཇལ་འབབ་ཟིན་ཐོ་མེད།',
  'account.pension.not-started': 'རྒས་གསོའི་ཕོགས་ད་དུང་ལེན་འགོ་མ་ཚུགས།',
  'account.pension.paid': 'ཟླ་རེར་ {amount} ལེན།',
  'account.pension.suspended-certification': 'རྒས་གསོའི་ཕོགས་གནས་སྐབས་མཚམས་འཇོག ལེན་ཆོག་པའི་ར་སྤྲོད་བྱེད་དགོས།',
  'account.pension.suspended-family-binding': 'རྒས་གསོའི་ཕོགས་གནས་སྐབས་མཚམས་འཇོག ཁྱིམ་མི་ཁ་ཤས་ཀྱིས་ད་ལོའི་འཇལ་འབབ་མ་སྤྲད།',
  'account.pension.stopped': 'རྒས་གསོའི་ཕོགས་མཚམས་བཞག་ཟིན།',
  'account.certifiedThrough': 'ར་སྤྲོད་ {month} བར་ནུས་ལྡན།',
  'account.offline': 'དྲ་བ་གནས་སྐབས་བར་ཆད། {date} ཀྱི་ཆ་འཕྲིན་སྟོན་བཞིན་ཡོད།',
  'account.village': '{village}',
  'removeCard': 'ལས་དོན་གྲུབ་སོང་། ཤོག་བྱང་ཕྱིར་ལེན་རོགས།',
  'money.yuan': 'སྒོར་ {amount}',
  'card.unreadable': 'ཤོག་བྱང་འདི་འདིར་ཀློག་མི་ཐུབ། ཤང་གི་སྤྱི་ཚོགས་ཉེན་འགོག་ཁང་དུ་ཕེབས་རོགས།',
  'card.expired': 'ཤོག་བྱང་འདིའི་དུས་ཚོད་རྫོགས་འདུག ཉེན་འགོག་ཁང་དུ་གསར་བརྗེ་བྱེད་རོགས།',
  'card.pinBlocked': 'གསང་ཨང་ཟྭ་བརྒྱབ་འདུག ཐོབ་ཐང་ལག་ཁྱེར་ཁྱེར་ནས་ཉེན་འགོག་ཁང་དུ་ཕེབས་རོགས།',
  'card.notAuthentic': 'ཤོག་བྱང་འདི་ར་སྤྲོད་མ་ཐུབ། ཉེན་འགོག་ཁང་དུ་འདྲི་རྩད་གནང་རོགས།',
  'card.removedTooSoon': 'ཤོག་བྱང་མྱུར་དྲགས་ཕྱིར་བཏོན། ཡང་བསྐྱར་འཇུག་རོགས།',
  'account.notFound': 'ཁྱེད་ཀྱི་ཉེན་འགོག་ཆ་འཕྲིན་རྙེད་མ་སོང་། ཉེན་འགོག་ཁང་དུ་འདྲི་རྩད་གནང་རོགས།',
  'server.unavailable': 'གནས་སྐབས་རྫོང་གི་ཞབས་ཞུ་འཕྲུལ་ཆས་དང་འབྲེལ་མ་ཐུབ། རྗེས་སུ་ཡང་བསྐྱར་ཚོད་ལྟ་གནང་རོགས།',
  'server.error': 'མ་ལག་ལ་དཀའ་ངལ་ཅུང་ཟད་བྱུང་། རྗེས་སུ་ཚོད་ལྟ་གནང་རོགས།',
  'staff.title': 'ཉམས་གསོ་བའི་ཐོ་གཞུང་།',
  'staff.hello': '{name} བཀྲ་ཤིས་བདེ་ལེགས།',
  'status.offline': 'དྲ་བ་མེད།',
  'status.online': 'དྲ་བ་ཡོད།',
};

const en: Dictionary = {
  'app.title': 'Rural Pension Self-Service',
  'idle.insert': 'Please insert your social security card',
  'idle.hint': 'Chip facing up, into the slot below',
  'reading': 'Reading your card, please wait…',
  'pin.greeting': 'Hello, {name}',
  'pin.prompt': 'Please enter your 6-digit PIN',
  'pin.wrong': 'Wrong PIN. {tries} tries left',
  'pin.clear': 'Clear',
  'pin.ok': 'OK',
  'loading': 'Looking up your account, please wait…',
  'account.balance': 'Personal account balance',
  'account.years': 'Paid {paid} years of {required} required',
  'account.contributions': 'Contributions',
  'account.tier': '{tier} yuan tier',
  'account.none': 'No contributions yet',
  'account.pension.not-started': 'Pension not started yet',
  'account.pension.paid': 'Pension: {amount} a month',
  'account.pension.suspended-certification': 'Pension paused: proof of life needed',
  'account.pension.suspended-family-binding': 'Pension paused: a family member has not paid this year',
  'account.pension.stopped': 'Pension stopped',
  'account.certifiedThrough': 'Proof of life valid through {month}',
  'account.offline': 'Network is down; showing information from {date}',
  'account.village': '{village}',
  'removeCard': 'All done. Please take your card',
  'money.yuan': '{amount} yuan',
  'card.unreadable': 'This card cannot be read here. Please go to the township office',
  'card.expired': 'This card has expired. Please get a new one at the office',
  'card.pinBlocked': 'The PIN is locked. Please bring your ID card to the office to unlock it',
  'card.notAuthentic': 'This card failed the check. Please ask at the office',
  'card.removedTooSoon': 'The card came out too soon. Please insert it again',
  'account.notFound': 'No pension account found. Please ask at the office',
  'server.unavailable': 'Cannot reach the county server now. Please try again later',
  'server.error': 'Something went wrong. Please try again later or go to the office',
  'staff.title': 'Maintenance menu',
  'staff.hello': 'Hello, {name}',
  'status.offline': 'Offline',
  'status.online': 'Online',
};

export const DICTIONARIES: Record<Language, Dictionary> = { 'zh-Hans': zhHans, 'zh-Hant': zhHant, bo, en };

/** Looks up `key` in `language`, falling back to Simplified Chinese, then the key itself. */
export function translate(language: Language, key: string, params: Record<string, string | number> = {}): string {
  const template = DICTIONARIES[language][key] ?? zhHans[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

/** Fen as yuan with two decimals and thousands separators: 1234567 -> "12,345.67". */
export function formatFen(fen: number): string {
  const negative = fen < 0;
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100);
  const cents = String(abs % 100).padStart(2, '0');
  return `${negative ? '-' : ''}${yuan.toLocaleString('en-US')}.${cents}`;
}
